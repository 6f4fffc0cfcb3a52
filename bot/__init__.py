"""The clinic assistant's own Python package.

One package per process (`rasa_server`, `action_server`, `staff`, `launcher`), plain
domain packages (`booking`, `screening`, `handoffs`, `sms`, `transcripts`,
`understanding`), the database (`db`), and shared foundations at the top: `settings`
(the environment), `clinic_profile`, `patterns` and `text` (patient text), and small
helpers. README.md's diagram shows how data flows between them.
"""
