"""Models for this area arrive with its issue; the app is registered so the tree shows it."""
