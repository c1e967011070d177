#include "test/harness.h"

#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>

namespace iocpnet {
namespace test {

namespace {
int g_failures_in_test = 0;
const char* g_current = "";

void OnAlarm(int) {
  // A hung test must not hang the suite runner: report and exit non-zero.
  const char prefix[] = "\nFAIL (watchdog: test hung) ";
  ssize_t ignored = write(2, prefix, sizeof(prefix) - 1);
  ignored = write(2, g_current, std::strlen(g_current));
  ignored = write(2, "\n", 1);
  (void)ignored;
  _exit(3);
}
int OpenFdCount() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  int count = 0;
  while (readdir(dir) != nullptr) ++count;
  closedir(dir);
  return count;
}
}  // namespace

std::vector<TestCase>& Registry() {
  static std::vector<TestCase> tests;
  return tests;
}

void Fail(const char* file, int line, const std::string& message) {
  ++g_failures_in_test;
  std::fprintf(stdout, "    %s:%d: CHECK failed: %s\n", file, line, message.c_str());
  std::fflush(stdout);
}

}  // namespace test
}  // namespace iocpnet

int main(int argc, char** argv) {
  using namespace iocpnet::test;
  const char* suite = "native";
  const char* filter = nullptr;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--suite") == 0 && i + 1 < argc) {
      suite = argv[++i];
    } else {
      filter = argv[i];
    }
  }
  signal(SIGPIPE, SIG_IGN);  // the engine uses MSG_NOSIGNAL; belt and braces for raw test sockets
  signal(SIGALRM, OnAlarm);
  int passed = 0;
  int failed = 0;
  int fds_before = OpenFdCount();
  for (const TestCase& test : Registry()) {
    if (filter != nullptr && std::strstr(test.name, filter) == nullptr) continue;
    g_current = test.name;
    g_failures_in_test = 0;
    alarm(60);  // every test is bounded in time
    auto start = std::chrono::steady_clock::now();
    try {
      test.body();
    } catch (const TestAbort&) {
    } catch (const std::exception& e) {
      Fail(__FILE__, __LINE__, std::string("exception: ") + e.what());
    }
    alarm(0);
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (g_failures_in_test == 0) {
      ++passed;
      std::printf("ok   %s (%.0f ms)\n", test.name, ms);
    } else {
      ++failed;
      std::printf("FAIL %s (%.0f ms)\n", test.name, ms);
    }
    std::fflush(stdout);
  }
  // Every backend, socket and ring the tests made must be closed again.
  int fds_after = OpenFdCount();
  if (fds_after == fds_before) {
    ++passed;
    std::printf("ok   no_leaked_file_descriptors\n");
  } else {
    ++failed;
    std::printf("FAIL no_leaked_file_descriptors (%d open before, %d after)\n", fds_before, fds_after);
  }
  std::printf("%s: %d passed, %d failed\n", suite, passed, failed);
  return failed == 0 ? 0 : 1;
}
