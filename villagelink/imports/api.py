"""The imports API (upload, preview, commit), registered on the project's router by `register`."""


def register(router) -> None:
    """Adds this app's viewsets to the API router (villagelink/api/urls.py)."""
