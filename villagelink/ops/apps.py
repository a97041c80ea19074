from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running the system: health and readiness, metrics, backups, the all-in-one `serve`. No models."""

    name = "villagelink.ops"
    label = "ops"
