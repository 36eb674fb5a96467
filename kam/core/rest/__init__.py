"""The REST framework pieces every app's API builds on.

They sit in ``core`` so that each app's ``api.py`` imports them downwards; ``kam.api``
is the top of the layers (routing, sign-in, the error handler) and imports the apps.
Separate modules, because the REST framework's settings import the pagination class
while its generic views are still loading, and the schema module imports those views.
"""
