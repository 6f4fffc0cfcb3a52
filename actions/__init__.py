"""Custom actions run by the rasa-sdk action server, one module per concern."""
