"""What a patient's message means, as plain code: no Rasa, shared by both servers.

The Rasa server's pipeline components (`bot.rasa_server.components`) and the actions use
these rules: red-flag patterns and escalation, symptom-report guards, follow-up and
two-question reading, framed requests; plus the spaCy pipeline `make eval` compares.
"""
