// A tiny test harness (no dependencies). CHECK records a failure and
// continues, REQUIRE stops the test. Three kinds of test:
// - TEST(name): the backend contract; runs once on every backend the run
//   covers (--backends), through CurrentBackend();
// - UNIT_TEST(name): code that is the same whatever the backend; runs once;
// - BACKEND_TEST(backend, name): about one backend's own mechanism; runs
//   when that backend is covered (it lives beside the backend's code).
#pragma once

#include <string>
#include <vector>

namespace iocpnet {
namespace test {

struct TestCase {
  const char* name;
  void (*body)();
  enum class Kind { kContract, kUnit, kBackend } kind;
  const char* backend;  // kBackend: the backend it is about
};

std::vector<TestCase>& Registry();
struct Registrar {
  Registrar(const char* name, void (*body)(), TestCase::Kind kind, const char* backend = nullptr) {
    Registry().push_back(TestCase{name, body, kind, backend});
  }
};

// The backend the running contract or backend test is about ("uring", ...).
const std::string& CurrentBackend();

// True when the Windows build runs under Wine (never on POSIX): a test
// loosened there says which Wine difference next to the assertion.
bool UnderWine();

// Thrown by REQUIRE to leave the current test.
struct TestAbort {};

void Fail(const char* file, int line, const std::string& message);

}  // namespace test
}  // namespace iocpnet

#define IOCPNET_TEST(name, kind, backend)                                                    \
  static void name();                                                                        \
  static ::iocpnet::test::Registrar name##_registrar(#name, &name, kind, backend);           \
  static void name()
#define TEST(name) IOCPNET_TEST(name, ::iocpnet::test::TestCase::Kind::kContract, nullptr)
#define UNIT_TEST(name) IOCPNET_TEST(name, ::iocpnet::test::TestCase::Kind::kUnit, nullptr)
#define BACKEND_TEST(backend, name) IOCPNET_TEST(name, ::iocpnet::test::TestCase::Kind::kBackend, #backend)

#define CHECK(cond)                                                       \
  do {                                                                    \
    if (!(cond)) ::iocpnet::test::Fail(__FILE__, __LINE__, #cond);        \
  } while (0)

#define CHECK_EQ(a, b)                                                                   \
  do {                                                                                   \
    auto check_a_ = (a);                                                                 \
    auto check_b_ = (b);                                                                 \
    if (!(check_a_ == check_b_))                                                         \
      ::iocpnet::test::Fail(__FILE__, __LINE__,                                          \
                            std::string(#a " == " #b " (") + std::to_string(check_a_) + \
                                " vs " + std::to_string(check_b_) + ")");                \
  } while (0)

#define REQUIRE(cond)                                                     \
  do {                                                                    \
    if (!(cond)) {                                                        \
      ::iocpnet::test::Fail(__FILE__, __LINE__, #cond);                   \
      throw ::iocpnet::test::TestAbort();                                 \
    }                                                                     \
  } while (0)
