#!/bin/sh
# Starts one of the assistant's processes in its container (deploy/Dockerfile):
#   rasa | actions | staff | migrate   [extra arguments for that process]
# Anything else runs as given, e.g. `python -m bot.staff add-user you@clinic.example`.
# Each command is what bot/launcher/profiles.py starts for `make run-prod`; the
# environment the launcher would build comes from compose or the manifests instead.
set -eu
set -f  # CORS_ORIGINS is split into words below: never expand a glob in it
cd /app

process="${1:-}"
[ "$#" -gt 0 ] && shift
case "$process" in
  rasa)
    # The action server's address differs by network (a service name, or loopback on
    # host networking): deploy/endpoints.yml reads it from ACTION_SERVER_URL.
    : "${ACTION_SERVER_URL:?set ACTION_SERVER_URL, e.g. http://actions:5055/webhook}"
    # Rasa's --cors takes each origin as its own argument; settings accept commas too.
    # shellcheck disable=SC2046
    exec python -m rasa run \
      --model "$RASA_MODEL" \
      --endpoints "$RASA_ENDPOINTS" \
      --credentials credentials.yml \
      --port "$RASA_PORT" \
      --interface "$RASA_INTERFACE" \
      --cors $(printf '%s' "${CORS_ORIGINS:-}" | tr ',' ' ') \
      "$@"
    ;;
  actions) exec python -m bot.action_server "$@" ;;
  staff) exec python -m bot.staff "$@" ;;
  migrate) exec python /app/deploy/prepare.py "$@" ;;
  "") echo "usage: rasa | actions | staff | migrate | <command>" >&2; exit 2 ;;
  *) exec "$process" "$@" ;;
esac
