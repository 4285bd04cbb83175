"""Date and number formats where Django's own do not suit (FORMAT_MODULE_PATH)."""
