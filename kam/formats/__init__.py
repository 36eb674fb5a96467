"""KAM's own number formats per language, read before Django's (``FORMAT_MODULE_PATH``)."""
