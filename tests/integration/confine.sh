#!/bin/sh
# Labs whose programs try to reach the host (tests/integration/confine/host-*.yaml):
# each must pass (its run steps expect the refusals), and the host must be as
# before: vm.swappiness as it was, no file the programs tried to make (any
# that was made is removed, and the test fails).
# usage: confine.sh NFLAB DIR
set -u
nflab=$1 dir=$2
swappiness=$(cat /proc/sys/vm/swappiness)
failed=0 skipped=0 n=0
for lab in "$dir"/host-*.yaml; do
	n=$((n + 1))
	"$nflab" run "$lab"
	case $? in
	0) ;;
	77) skipped=$((skipped + 1)) ;;
	*) echo "FAIL: $lab did not pass" >&2 && failed=1 ;;
	esac
done
if [ "$(cat /proc/sys/vm/swappiness)" != "$swappiness" ]; then
	echo "FAIL: the host's vm.swappiness changed: restoring $swappiness" >&2
	echo "$swappiness" >/proc/sys/vm/swappiness
	failed=1
fi
for f in /var/tmp/nflab-escape-confine-test /etc/nflab-escape-confine-test \
	/root/nflab-escape-confine-test; do
	if [ -e "$f" ]; then
		echo "FAIL: a lab's program made $f on the host" >&2
		rm -f "$f"
		failed=1
	fi
done
[ $failed = 0 ] || exit 1
[ $skipped = $n ] && exit 77
echo "ok: $n labs; the host's vm.swappiness and files as before"
