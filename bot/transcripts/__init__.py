"""What the staff console reads from Rasa's tracker store: whole conversations, which of
them mentioned a red flag, and the patient messages the bot could not answer.

Rasa owns the store (it creates and writes the `events` table); we only read it, and
`bot.staff.retention` deletes its old rows. Nothing here imports Rasa, so the staff process
stays light.
"""
