#!/usr/bin/env bash
# Copy the primary's live build folder to each replica, adopt it there, and wait until each replica's
# server answers from it. Run on the primary after a build or update; the recipe is in the README,
# "Replicas".
#
#   deploy/replicate.sh PRIMARY_DIR REPLICA...
#
#   PRIMARY_DIR  the primary's app folder (its index is PRIMARY_DIR/$INDEX)
#   REPLICA      [HOST:]APP_DIR,BASE_URL   e.g. web2:/srv/vnlex,http://web2:5000
#                (no HOST: a folder on this machine; HOST is reached with ssh and rsync over ssh)
#
# Settings (environment): INDEX (var/index, relative to each app folder), PYTHON (.venv/bin/python,
# run in the replica's app folder), WAIT (60: seconds a replica may take to serve the new build).
# Exit status: 0 every replica serves the build; 1 at the first replica that does not (the ones
# before it serve the new build, the ones after it the old one: run it again once fixed).
set -euo pipefail

INDEX=${INDEX:-var/index}
PYTHON=${PYTHON:-.venv/bin/python}
WAIT=${WAIT:-60}

[ $# -ge 2 ] || { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 1; }
primary=$1
shift

name=$(basename "$(readlink "$primary/$INDEX")")  # the live build folder, e.g. 20261206T050531170082-1182
src="$primary/$INDEX.builds/$name/"
[ -d "$src" ] || { echo "Error: no live build at $primary/$INDEX" >&2; exit 1; }

on() {  # on HOST (empty: here) run the shell command $2
    if [ -z "$1" ]; then bash -c "$2"; else ssh "$1" "$2"; fi
}

for replica in "$@"; do
    target=${replica%%,*}
    url=${replica#*,}
    host=
    dir=$target
    if [[ $target == *:* ]]; then host=${target%%:*}; dir=${target#*:}; fi
    builds="$dir/$INDEX.builds"
    dest="${host:+$host:}$builds/$name.tmp/"
    live=$(on "$host" "basename \"\$(readlink '$dir/$INDEX')\" 2>/dev/null || true")
    if [ "$live" != "$name" ]; then
        # a copy left by an earlier run (maybe refused by adopt) is refreshed, not sent again whole
        on "$host" "mkdir -p '$builds' && cd '$builds' && if [ -d '$name' ] && [ ! -e '$name.tmp' ]; then mv -T '$name' '$name.tmp'; fi"
        # files unchanged since the replica's live build become hard links to it (only new segments travel)
        rsync -a --delete ${live:+--link-dest="../$live"} "$src" "$dest"
        # the same files, sizes and bytes as the primary's, or stop before adopting
        differ=$(rsync -a --delete --dry-run --checksum --itemize-changes "$src" "$dest")
        [ -z "$differ" ] || { echo "Error: $target: the copy differs from the primary's: $differ" >&2; exit 1; }
        on "$host" "cd '$dir' && mv -T '$INDEX.builds/$name.tmp' '$INDEX.builds/$name' && $PYTHON -m indexer adopt '$name' --index '$INDEX'"
    else
        echo "$target: $name is already live"
    fi
    # /healthz?build=NAME answers 200 only once the server answers from that build
    for ((i = 0; i < WAIT * 2; i++)); do
        if curl -fsS -o /dev/null "$url/healthz?build=$name" 2>/dev/null; then break; fi
        sleep 0.5
    done
    curl -fsS -o /dev/null "$url/healthz?build=$name" || {
        echo "Error: $url does not serve $name after $WAIT s: $(curl -sS "$url/healthz" 2>&1)" >&2; exit 1; }
    echo "$target: serving $name"
done
