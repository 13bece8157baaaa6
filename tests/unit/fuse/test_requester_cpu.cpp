#include <catch2/catch.hpp>

#include <sched.h>
#include <fstream>
#include <iterator>

#include "fuse/requester_cpu.hpp"

using namespace pfs;

TEST_CASE("the processor field of /proc/TID/stat is read after the thread's name", "[fuse]") {
  // Fields 3..38 then the processor (39): names with spaces and parentheses do not shift the count.
  std::string rest = " S";
  for (int field = 4; field <= 38; ++field) rest.append(" ").append(std::to_string(field));
  const std::string ls = std::string("1234 (ls)").append(rest);
  CHECK(fuse::processor_of_stat(std::string(ls).append(" 1 0 0\n")) == 1);
  CHECK(fuse::processor_of_stat(std::string("1234 (a b) c))").append(rest).append(" 17 0 0\n")) == 17);
  CHECK(fuse::processor_of_stat(ls) == -1);  // cut short
  CHECK(fuse::processor_of_stat("no name at all") == -1);
  // This process's own line, as the kernel writes it, names a CPU it may run on.
  std::ifstream file("/proc/self/stat");
  const std::string self((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const int cpu = fuse::processor_of_stat(self);
  REQUIRE(cpu >= 0);
  CHECK(cpu < CPU_SETSIZE);
}
