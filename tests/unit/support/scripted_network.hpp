// A network held in memory whose every operation can be scripted to fail: the test double for the publisher's
// saga. It implements each interface of network/network.hpp with the rules the real networks keep (a registration
// at a deterministic address, EEXIST for the same one twice; one secret per dataset; the grant book's two EEXIST
// refusals; open orders only for the current owner), and before (and after) each operation it asks its FaultScript:
//
//   fail(op, n, errno)        the n-th call of op (counted from 1 since the last reset) throws Error(errno)
//   fail_from(op, n, errno)   every call from the n-th on fails, until recover(op)
//   crash(op, n, when)        the n-th call throws ScriptedCrash, Before doing anything or After the operation took
//                             effect (its answer lost): the publisher is aborted without running its cleanup, as by
//                             kill -9. ScriptedCrash is not a std::exception, so no `catch (std::exception&)` stops it.
//   hang(op, n)               the n-th call blocks until release(op)
//   then(op, n, action)       the n-th call runs `action` once the operation took effect, before it answers (another
//                             mount's pass placed exactly in the window that follows an operation)
//
// Every call is counted and logged ("registry.register", …) whether it succeeds or not.
#pragma once
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "protectedfs/network/network.hpp"

namespace pfs::test {

struct ScriptedCrash {
  std::string op;
};

class FaultScript {
 public:
  enum class When { Before, After };
  void fail(const std::string& op, int call, int error);
  void fail_from(const std::string& op, int call, int error);
  void recover(const std::string& op);
  void crash(const std::string& op, int call, When when);
  void hang(const std::string& op, int call);
  void release(const std::string& op);
  void then(const std::string& op, int call, std::function<void()> action);
  // Forgets every fault, action, counter and log line (a new act of a scenario).
  void reset();

  int calls(const std::string& op);
  std::vector<std::string> log();  // "op#n" per call, in order
  // Whether some call is blocked by hang() now.
  bool hanging();

  // Called by the network: before the operation (may throw or block), and after it took effect (may crash).
  void before(const std::string& op);
  void after(const std::string& op);

 private:
  struct Fault {
    int from = 0;
    bool until_recovered = false;
    int error = 0;
    bool crash = false;
    When when = When::Before;
    bool hang = false;
  };
  std::mutex mutex_;
  std::condition_variable released_;
  std::map<std::string, int> calls_;
  std::map<std::string, std::vector<Fault>> faults_;
  std::map<std::string, bool> released_ops_;
  std::map<std::string, std::map<int, std::function<void()>>> actions_;  // then(): by op, by call
  std::vector<std::string> log_;
  int hanging_ = 0;
  std::map<std::string, int> current_;  // the call number of the operation under way (for after())
};

// A fresh in-memory network scripted by `script` (which must outlive it). Its data lives as long as the
// returned object: a "restart" of the daemon keeps the same network.
std::unique_ptr<network::Network> make_scripted_network(FaultScript& script);
// The content ids a scripted network's store holds (to find orphaned uploads).
std::vector<std::string> held_content(network::Network& network);

}  // namespace pfs::test
