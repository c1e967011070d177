// Test peers on Windows: a thread with blocking Winsock calls. See peer.h
// for why a thread is enough here (IOCP wakes from its own threads).
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>

#include <atomic>
#include <thread>

#include "test/peer.h"

namespace iocpnet {
namespace test {

namespace {

void StartWinsock() {
  static bool started = [] {
    WSADATA data;
    return WSAStartup(MAKEWORD(2, 2), &data) == 0;
  }();
  (void)started;
}

}  // namespace

RawSocket RawListen(const SocketAddress& address, int backlog) {
  StartWinsock();
  SOCKET s = socket(address.family(), SOCK_STREAM, 0);
  if (s == INVALID_SOCKET) return kNoRawSocket;
  if (bind(s, address.raw(), address.length()) != 0 || listen(s, backlog) != 0) {
    closesocket(s);
    return kNoRawSocket;
  }
  return s;
}

uint16_t RawLocalPort(RawSocket socket) {
  SocketAddress bound;
  int length = SocketAddress::kMaxLength;
  if (getsockname(socket, bound.raw_mutable(), &length) != 0) return 0;
  bound.set_length(length);
  return bound.port();
}

RawSocket RawAccept(RawSocket listener) {
  SOCKET s = accept(listener, nullptr, nullptr);
  return s == INVALID_SOCKET ? kNoRawSocket : s;
}

RawSocket RawConnectTcp(uint16_t port) {
  StartWinsock();
  SOCKET s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(s, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    closesocket(s);
    return kNoRawSocket;
  }
  RawSetNoDelay(s);
  return s;
}

int64_t RawReceiveSome(RawSocket socket, void* data, size_t size) {
  return recv(socket, static_cast<char*>(data), static_cast<int>(size), 0);
}

int64_t RawSendSome(RawSocket socket, const void* data, size_t size) {
  return send(socket, static_cast<const char*>(data), static_cast<int>(size), 0);
}

void RawSetNoDelay(RawSocket socket) {
  BOOL on = TRUE;
  setsockopt(socket, IPPROTO_TCP, TCP_NODELAY, reinterpret_cast<const char*>(&on), sizeof(on));
}

void RawShutdownWrite(RawSocket socket) { shutdown(socket, SD_SEND); }

void RawReadToEnd(RawSocket socket) {
  char sink[256];
  while (recv(socket, sink, sizeof(sink), 0) > 0) {
  }
}

void RawClose(RawSocket socket) { closesocket(socket); }

void RawResetClose(RawSocket socket) {
  linger value{1, 0};
  setsockopt(socket, SOL_SOCKET, SO_LINGER, reinterpret_cast<const char*>(&value), sizeof(value));
  closesocket(socket);
}

void SleepMs(int ms) { Sleep(static_cast<DWORD>(ms)); }

std::string TempPipePath(const char* tag) {
  return "\\\\.\\pipe\\iocpnet-" + std::to_string(GetCurrentProcessId()) + "-" + tag;
}

void RemovePipePath(const std::string&) {}  // a named pipe leaves nothing behind

struct Peer::State {
  std::thread thread;
  std::atomic<int> status{-1};
};

Peer::Peer(std::function<int()> body) : state_(new State()) {
  State* state = state_.get();
  state_->thread = std::thread([state, body] { state->status = body(); });
}

// A thread cannot be killed: the test must have made the body return (its
// sockets closed or its peer gone) before this.
Peer::~Peer() {
  if (state_->thread.joinable()) state_->thread.join();
}

int Peer::Wait() {
  if (state_->thread.joinable()) state_->thread.join();
  return state_->status;
}

void Peer::Detached(RawSocket) {}  // one process: the peer thread owns it

struct PeerChannel::State {
  HANDLE read = nullptr;
  HANDLE write = nullptr;
};

PeerChannel::PeerChannel() : state_(new State()) { CreatePipe(&state_->read, &state_->write, nullptr, 1 << 20); }

PeerChannel::~PeerChannel() {
  if (state_->read != nullptr) CloseHandle(state_->read);
  if (state_->write != nullptr) CloseHandle(state_->write);
}

bool PeerChannel::Send(const void* data, size_t size) {
  DWORD written = 0;
  return WriteFile(state_->write, data, static_cast<DWORD>(size), &written, nullptr) && written == size;
}

bool PeerChannel::Ready() {
  DWORD available = 0;
  return PeekNamedPipe(state_->read, nullptr, 0, nullptr, &available, nullptr) && available > 0;
}

bool PeerChannel::Receive(void* data, size_t size) {
  DWORD n = 0;
  for (char* p = static_cast<char*>(data); size > 0; p += n, size -= n) {
    if (!ReadFile(state_->read, p, static_cast<DWORD>(size), &n, nullptr) || n == 0) return false;
  }
  return true;
}

void PeerChannel::PeerStarted() {}  // the thread shares our write end

}  // namespace test
}  // namespace iocpnet
