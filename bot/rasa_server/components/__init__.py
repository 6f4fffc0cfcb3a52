"""Our NLU pipeline components, named in config.yml (Rasa's GraphComponent API).

They adapt the plain rules of `bot.understanding` to Rasa: the graph, caching and
persistence live here; what a message means is decided there.
"""
