"""How the assistant is doing: outcome figures over a period (Insights), patients' feedback
on its answers, and the weekly digest that sends the figures to staff.

It sits between the processes and the domain: it reads the tracker store through
`bot.transcripts` (and groups unanswered messages with its `group_similar`) and our own
tables through `bot.db`, and knows no Rasa.
"""
