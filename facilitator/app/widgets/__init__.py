"""The projector's widgets, one per module."""
