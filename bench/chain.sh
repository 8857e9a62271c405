#!/bin/sh
# Writes a chain of N routed nodes (each with two veths, an address on each and
# routes) two ways: as an nflab lab file (no steps: set up, torn down) and as the
# shell script of ip commands people would write. bench/run times both.
# usage: chain.sh N DIR     (writes DIR/chain-N.yaml and DIR/chain-N.sh)
set -eu
n=$1 dir=$2
lab=$dir/chain-$n.yaml sh=$dir/chain-$n.sh
# Link i joins node i and node i+1 on 10.(i/250).(i%250*... ) /30 subnets.
net() { echo "10.$(($1 / 64)).$((($1 % 64) * 4))"; }
{
	echo "name: chain-$n"
	echo "description: A chain of $n routed nodes, built and torn down (bench/run)."
	echo "golden: false"
	echo "nodes:"
	i=0
	while [ "$i" -lt "$n" ]; do
		echo "  n$i:"
		echo "    router: true"
		echo "    interfaces:"
		[ "$i" -gt 0 ] && echo "      left: $(net $((i - 1))).2/30"
		[ "$i" -lt $((n - 1)) ] && echo "      right: $(net "$i").1/30"
		echo "    routes:"
		if [ "$i" -gt 0 ]; then
			echo "      - default via $(net $((i - 1))).1"
		else
			echo "      - 10.0.0.0/8 via $(net 0).2"
		fi
		i=$((i + 1))
	done
	echo "links:"
	i=0
	while [ "$i" -lt $((n - 1)) ]; do
		echo "  - [n$i:right, n$((i + 1)):left]"
		i=$((i + 1))
	done
} >"$lab"
{
	echo "#!/bin/sh"
	echo "# chain-$n with ip commands; named namespaces, removed at the end"
	echo "set -e"
	echo "p=chain\$\$"
	i=0
	while [ "$i" -lt "$n" ]; do
		echo "ip netns add \$p-n$i; ip -n \$p-n$i link set lo up"
		echo "ip netns exec \$p-n$i sysctl -qw net.ipv4.ip_forward=1"
		i=$((i + 1))
	done
	i=0
	while [ "$i" -lt $((n - 1)) ]; do
		j=$((i + 1))
		echo "ip link add right netns \$p-n$i type veth peer name left netns \$p-n$j"
		echo "ip -n \$p-n$i addr add $(net "$i").1/30 dev right; ip -n \$p-n$i link set right up"
		echo "ip -n \$p-n$j addr add $(net "$i").2/30 dev left; ip -n \$p-n$j link set left up"
		i=$j
	done
	i=0
	while [ "$i" -lt "$n" ]; do
		if [ "$i" -gt 0 ]; then
			echo "ip -n \$p-n$i route add default via $(net $((i - 1))).1"
		else
			echo "ip -n \$p-n$i route add 10.0.0.0/8 via $(net 0).2"
		fi
		i=$((i + 1))
	done
	i=0
	while [ "$i" -lt "$n" ]; do
		echo "ip netns del \$p-n$i"
		i=$((i + 1))
	done
} >"$sh"
