# A shell script as scripts are: pipelines, command substitution, subshells,
# background jobs and wait, trap, here-documents, functions, redirections.
# Run by processes.sh natively and sandboxed; TMPDIR_SH is a scratch dir.
set -e
echo start
x=$(echo sub | tr a-z A-Z); echo "$x"
(echo in subshell; exit 3) || echo "subshell status $?"
sleep 0.2 & p=$!
echo bg started
wait $p; echo "waited $?"
trap 'echo got USR1' USR1
kill -USR1 $$
echo after trap
for i in 1 2 3; do echo $i; done | sort -r | head -2
cat <<EOT | wc -l
a
b
EOT
f() { echo "in f $1"; return 4; }
f arg || echo "f returned $?"
echo $((6 * 7))
: > "$TMPDIR_SH/out" && echo file ok
exec 3>"$TMPDIR_SH/out"; echo via3 >&3; exec 3>&-; cat "$TMPDIR_SH/out"
true && false || echo chained
rm -r "$TMPDIR_SH"
echo done
