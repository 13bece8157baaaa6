// The market API + hub stand-in for dataset orders: publication checked as the market and PoCo check it (EIP-712
// signature of the dataset's current owner in the local domain, a named app, one open order per (dataset, app,
// requester), 50 open orders per owner), listing of open orders, and closing by the owner.
#pragma once
#include <memory>

#include "network/local/directory.hpp"
#include "network/local/ledger.hpp"
#include "protectedfs/network/network.hpp"

namespace pfs::network::local {

class LocalGrantBook final : public GrantBook {
 public:
  LocalGrantBook(std::shared_ptr<Directory> dir, std::shared_ptr<Ledger> ledger)
      : dir_(std::move(dir)), ledger_(std::move(ledger)) {}

  crypto::Eip712Domain domain() override;
  void publish(const crypto::PrivateKey& owner, const SignedOrder& order) override;
  std::vector<OrderState> open_orders(const crypto::Address& dataset) override;
  std::vector<OrderState> orders(const crypto::Address& dataset) override;
  std::optional<OrderState> order(const Hash32& order_hash) override;
  void revoke(const crypto::PrivateKey& owner, const SignedOrder& order) override;

 private:
  std::shared_ptr<Directory> dir_;
  std::shared_ptr<Ledger> ledger_;
};

}  // namespace pfs::network::local
