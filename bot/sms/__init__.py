"""SMS conversations: keywords carriers require, numbered menus, TwiML replies, and what we store per phone."""
