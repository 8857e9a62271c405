# Sourced by tests that build labs: they need root, or unprivileged user
# namespaces (nflab then makes one of its own); otherwise the test is skipped.
if [ "$(id -u)" != 0 ] && ! unshare -Urn true 2>/dev/null; then
	echo "needs root, or unprivileged user namespaces (unshare -Urn fails)"
	exit 77
fi
