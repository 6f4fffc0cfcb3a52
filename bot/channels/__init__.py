"""Rasa input channels of our own: the website widget's assets and signature-checked Twilio SMS.

Both are listed in `credentials.yml`; Rasa mounts each at `/webhooks/<name>/`.
"""
