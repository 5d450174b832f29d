// Socket addresses: resolving host names the way netperf does, printing
// them, and carrying them in the control protocol.
#ifndef NETPERF_ADDR_H
#define NETPERF_ADDR_H

#include <cstdint>
#include <string>
#include <vector>

#include <sys/socket.h>

#include <netperf/error.h>

namespace netperf {

// Length of the meaningful part of an address (AF_INET, AF_INET6, AF_UNIX).
uint32_t sockaddr_len(const sockaddr_storage &a);

// Resolves host (name or numeric) and port for the given family (AF_UNSPEC
// = whatever resolves first) and socket type.  Throws Error with netperf's
// wording when it cannot: "could not resolve host 'x' (...)".
sockaddr_storage resolve(const std::string &host, int port, int family, int socktype = SOCK_STREAM);
// All addresses of a host, in getaddrinfo order.
std::vector<sockaddr_storage> resolve_all(const std::string &host, int port, int family,
                                          int socktype = SOCK_STREAM);

// Wildcard address of a family ("0.0.0.0" / "::").
sockaddr_storage any_address(int family, int port = 0);
// An AF_UNIX address for path.  Throws Error if the path is too long.
sockaddr_storage unix_address(const std::string &path);

// Numeric host part ("127.0.0.1", "::1", or the unix path).
std::string addr_host(const sockaddr_storage &a);
int addr_port(const sockaddr_storage &a);
void set_port(sockaddr_storage &a, int port);
// "AF_INET", "AF_INET6", "AF_UNIX", "AF_UNSPEC"
const char *family_name(int family);

// Textual form used in the modern control protocol: "inet:127.0.0.1:5001",
// "inet6:[::1]:5001", "unix:/path".  parse_addr throws Error on bad input.
std::string format_addr(const sockaddr_storage &a);
sockaddr_storage parse_addr(const std::string &s);

}  // namespace netperf

#endif
