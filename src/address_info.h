// Fills the JS `out` object of sockname()/peername() from a SocketAddress:
// {address, family: 'IPv4'|'IPv6', port} for TCP, {address: path} for Unix
// sockets (no family/port: node:net has none to report for pipes).
#pragma once

#include <napi.h>

#include "socket_address.h"

namespace iocpnet {
namespace bridge {

void FillAddressInfo(Napi::Object out, const SocketAddress& address);

}  // namespace bridge
}  // namespace iocpnet
