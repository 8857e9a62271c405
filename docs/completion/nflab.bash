# bash completion for nflab(1)                                  -*- shell-script -*-
#
# Installed as <completionsdir>/nflab (bash-completion loads it the first time
# nflab is completed), or sourced by hand: . docs/completion/nflab.bash
# It needs nothing but bash itself.
#
# The option lists follow `nflab --help`; tests/packaging/completion.sh fails
# when one is missing here.

_nflab_files()
{
	# Lab files (*.yaml) and directories, one per line (names may hold spaces).
	local IFS=$'\n'
	COMPREPLY=($(compgen -f -X '!*.yaml' -- "$1") $(compgen -d -- "$1"))
	compopt -o filenames 2>/dev/null
}

_nflab_any_file()
{
	local IFS=$'\n'
	COMPREPLY=($(compgen -f -- "$1"))
	compopt -o filenames 2>/dev/null
}

_nflab_dirs()
{
	local IFS=$'\n'
	COMPREPLY=($(compgen -d -- "$1"))
	compopt -o filenames 2>/dev/null
}

_nflab()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=
	local commands='run test check index draw shell exec import help'
	local run_opts='--pcap-dir --pcap-merge --pcap-format --set --pause-on-fail --pause-at --break
		--ladder --topologies --timeline --fate --events --update-expected --observer-buffer --quiet
		--kernel --modules --help'
	local test_opts='--jobs --filter --shard --repeat --timeout --tap --junit --json
		--artifacts --pcap-format --topologies --fate --kernel --modules --list --accept-skip --help'
	local import_opts='--nft --iptables --ip6tables --addr --route --rule --sysctl --pcap
		--node --output --help'

	COMPREPLY=()
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	# --opt=value: bash splits it into "--opt" "=" "value".
	if [[ $cur == = ]]; then
		cur=
	elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
	fi

	if ((COMP_CWORD == 1)); then
		COMPREPLY=($(compgen -W "$commands --help --version -V" -- "$cur"))
		return 0
	fi

	case ${COMP_WORDS[1]} in
	run | check)
		# --set NAME=VALUE: bash splits the value at "=" too ("--set" "NAME"
		# "=" "VALUE"); there is nothing to offer anywhere in it.
		local i=$COMP_CWORD
		[[ ${COMP_WORDS[i]} == = ]] && ((i--))
		[[ ${COMP_WORDS[i - 1]} == = ]] && ((i -= 2))
		[[ ${COMP_WORDS[i - 1]} == --set ]] && return 0
		case $prev in
		--pcap-dir | --topologies)
			_nflab_dirs "$cur"
			return 0
			;;
		--events | --ladder | --kernel)
			_nflab_any_file "$cur"
			return 0
			;;
		--modules)
			_nflab_dirs "$cur"
			return 0
			;;
		--observer-buffer | --set | --pause-at | --break)
			return 0 # a number of bytes, NAME=VALUE, a step number or name
			;;
		--pcap-format)
			COMPREPLY=($(compgen -W "pcap pcapng" -- "$cur"))
			return 0
			;;
		esac
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$run_opts -q" -- "$cur"))
		else
			_nflab_files "$cur"
		fi
		;;
	test)
		case $prev in
		-j | --jobs | --filter | --shard | --repeat | --timeout)
			return 0 # a number or a pattern
			;;
		--junit | --json | --kernel)
			_nflab_any_file "$cur"
			return 0
			;;
		--artifacts | --topologies | --modules)
			_nflab_dirs "$cur"
			return 0
			;;
		--pcap-format)
			COMPREPLY=($(compgen -W "pcap pcapng" -- "$cur"))
			return 0
			;;
		esac
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$test_opts -j" -- "$cur"))
		else
			_nflab_files "$cur"
		fi
		;;
	index)
		_nflab_files "$cur"
		;;
	import)
		# Every option takes a file (the box's dumps, the lab to write) but --node.
		if [[ $prev == --node ]]; then
			return 0
		elif [[ $prev == -* && $prev != --help ]]; then
			_nflab_any_file "$cur"
		elif [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$import_opts -o" -- "$cur"))
		fi
		;;
	draw)
		if [[ $prev == --topologies ]]; then
			_nflab_dirs "$cur"
		elif [[ $prev == -o || $prev == --output ]]; then
			_nflab_any_file "$cur"
		elif [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "-o --output --no-routes --topologies --help" -- "$cur"))
		else
			_nflab_files "$cur"
		fi
		;;
	shell)
		if [[ $prev == --topologies ]]; then
			_nflab_dirs "$cur"
		elif [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--topologies --help" -- "$cur"))
		else
			_nflab_files "$cur"
		fi
		;;
	exec)
		# The nodes of the labs open now, from their ip netns names.
		if [[ $prev == exec || $prev == --lab* || ${COMP_WORDS[COMP_CWORD - 2]} == --lab ]]; then
			local nodes
			nodes=$(ls /run/netns 2>/dev/null | sed -n 's/^nflab-.*-\([^-]*\)$/\1/p')
			[[ $prev == --lab ]] && nodes=$(ls /run/netns 2>/dev/null |
				sed -n 's/^nflab-\(.*\)-[^-]*$/\1/p' | sort -u)
			COMPREPLY=($(compgen -W "$nodes --lab" -- "$cur"))
		else
			COMPREPLY=($(compgen -c -- "$cur"))
		fi
		;;
	esac
	return 0
} &&
	complete -F _nflab nflab
