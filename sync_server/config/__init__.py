"""Configuration of a county server: settings, the county keys on disk and their live reload."""
