"""The action server process: rasa-sdk's app serving the `actions` package, guarded.

`app` wraps rasa-sdk's app (bind address, shared secret, body limits, no CORS, errors
without the conversation); `auth` makes and checks the secret the Rasa servers send.
"""
