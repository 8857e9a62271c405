// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The static libdbus refers to two libsystemd calls, for a D-Bus daemon started by
 * socket activation. nflab only links libdbus because libpcap can capture D-Bus,
 * which it never does, so neither is ever called; were one called, it would answer
 * as libsystemd does for a process that systemd passed no sockets.
 */
int sd_listen_fds(int unset_environment);
int sd_is_socket(int fd, int family, int type, int listening);

int sd_listen_fds(int unset_environment)
{
	(void)unset_environment;
	return 0;
}

int sd_is_socket(int fd, int family, int type, int listening)
{
	(void)fd;
	(void)family;
	(void)type;
	(void)listening;
	return 0;
}
