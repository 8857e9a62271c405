# Sourced by the scripts that prove nflab never changes the host namespace:
# host_state FILE writes everything it must leave as it was (links, addresses,
# routes, named namespaces, nft and iptables rulesets of both backends, net
# sysctls), so two snapshots can be compared byte for byte.
host_state() {
	# A check, not a step: an empty listing must not end a script run with set -e.
	(
		set +e
		{
			ip -d link show
			ip addr show
			ip route show table all
			ip -6 route show table all
			# nflab names namespaces only nflab-<lab>-<node>; others' are not ours
			ip netns list | grep '^nflab-'
			nft list ruleset
			iptables-legacy-save 2>/dev/null | grep -v '^#'
			iptables-nft-save 2>/dev/null | grep -v '^#'
			sysctl -a 2>/dev/null | grep -E '^net\.(ipv4|ipv6|netfilter)' |
				grep -v -E 'stable_secret|random|_gc_|base_reachable'
		} >"$1" 2>&1
	)
	return 0
}
