#!/bin/sh
# Runs one of labs/pcap/ with --pcap-dir and checks with tshark that its
# capture decodes as the protocol it was made for. Skipped (77) when the lab's
# programs or tshark are missing.
# usage: pcap-lab.sh NFLAB LAB
set -u
nflab=$1 lab=$2
command -v tshark >/dev/null || { echo "needs tshark"; exit 77; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/nflab-pcaplab.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$nflab" run --pcap-dir "$dir" "$lab"
rc=$?
[ "$rc" = 0 ] || exit "$rc"
ls -l "$dir"

# expect_frames FILE FILTER MIN [DECODE-AS [OPTION]]: at least MIN frames match the display filter.
expect_frames() {
	file=$dir/$1
	[ -s "$file" ] || fail "$1 missing or empty"
	n=$(tshark -r "$file" ${4:+-d "$4"} ${5:+$5} -Y "$2" -T fields -e frame.number 2>/dev/null | wc -l)
	echo "$1: $n frames match '$2'"
	[ "$n" -ge "$3" ] || fail "$1: expected at least $3 frames matching '$2', tshark found $n"
}

case $(basename "$lab" .yaml) in
http)
	for p in client-eth0.pcapng server-eth0.pcapng; do
		expect_frames $p 'http.request.method == "GET" && http.request.uri == "/"' 1
		expect_frames $p 'http.response.code == 200' 1
		expect_frames $p 'http contains "hello from nflab"' 1
	done
	expect_frames client-eth0.pcapng 'ip.dst == 203.0.113.80 && http.request' 1
	expect_frames server-eth0.pcapng 'ip.dst == 192.168.1.10 && tcp.dstport == 8080 && http.request' 1
	;;
tls)
	f=client-eth0.pcapng
	expect_frames $f 'tls.handshake.type == 1 && tls.handshake.extensions_server_name == "server"' 1
	expect_frames $f 'tls.handshake.type == 1 && tls.handshake.extensions_server_name == "www.example.test"' 1
	expect_frames $f 'tls.handshake.type == 2 && tls.handshake.extensions.supported_version == 0x0304' 2
	expect_frames $f 'tls.alert_message.level == 2 && tls.alert_message.desc == 42' 1
	expect_frames server-eth0.pcapng 'tls.handshake.type == 1 && ip.src == 192.0.2.10' 2
	# keep: copied the key log out: with it tshark decrypts the handshake and the data.
	[ -s "$dir/keys.log" ] || fail "keys.log was not kept next to the captures"
	expect_frames $f 'tls.handshake.type == 11' 1 "" "-o tls.keylog_file:$dir/keys.log"
	expect_frames $f 'tls.handshake.type == 20' 2 "" "-o tls.keylog_file:$dir/keys.log"
	;;
dns)
	for p in client-eth0.pcapng resolver-eth0.pcapng; do
		expect_frames $p 'dns.flags.response == 0 && dns.qry.name == "www.example.test" && dns.qry.type == 1' 2
		expect_frames $p 'dns.flags.response == 0 && dns.qry.name == "www.example.test" && dns.qry.type == 28' 2
		expect_frames $p 'dns.flags.response == 1 && dns.a == 203.0.113.80' 2
		expect_frames $p 'dns.flags.response == 1 && dns.aaaa == 2001:db8:80::80' 2
		expect_frames $p 'dns.flags.response == 1 && dns.flags.rcode == 3 && dns.qry.name == "nope.example.test"' 1
	done
	expect_frames client-eth0.pcapng 'ipv6.dst == 2001:db8:2::53 && dns.qry.type == 28' 1
	;;
openvpn)
	for p in laptop-eth0.pcapng server-eth0.pcapng; do
		d=udp.port==1194,openvpn
		expect_frames $p 'openvpn.opcode == 0x07' 1 $d # P_CONTROL_HARD_RESET_CLIENT_V2
		expect_frames $p 'openvpn.opcode == 0x08' 1 $d # P_CONTROL_HARD_RESET_SERVER_V2
		expect_frames $p 'openvpn.opcode == 0x04 && tls' 4 $d # P_CONTROL_V1 carrying TLS
		expect_frames $p 'tls.handshake.type == 1' 1 $d
		expect_frames $p 'openvpn.opcode == 0x09' 1000 $d # P_DATA_V2
	done
	n=$(tshark -r "$dir/server-eth0.pcapng" -Y tcp 2>/dev/null | wc -l)
	[ "$n" = 0 ] || fail "server-eth0.pcapng: $n TCP frames on the underlay, expected none"
	;;
*)
	fail "no tshark checks for $lab: add them to $0"
	;;
esac
echo "ok: tshark decodes the capture of $lab"
