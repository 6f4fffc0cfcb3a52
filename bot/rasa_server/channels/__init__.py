"""Rasa input channels of our own: the website widget's assets and signature-checked Twilio SMS.

Both are listed in `credentials.yml`; Rasa mounts each at `/webhooks/<name>/`.
"""

# The largest request body any patient channel reads (the REST and widget channels'
# own cap; Twilio's is lower). The launcher gives it to the Rasa server as Sanic's
# SANIC_REQUEST_MAX_SIZE, so a larger body is refused with 413 before it is read.
MAX_BODY_BYTES = 64 * 1024
