/**
 * Capabilities the CyberWasm machine asks for at genesis (Machine.grants): its own, and the
 * defaults every program (`program:*`) holds. A program acts as itself: it moves only its own
 * coins, links only as its own neuron and reads public state; minting, burning and anything
 * else is a grant to that program's principal made at genesis or by governance.
 *
 * | principal          | capability                    | why                                          |
 * |--------------------|-------------------------------|----------------------------------------------|
 * | machine:cyberwasm  | bank.send {from: signer}      | MsgInstantiate / MsgDeposit fund a reserve from the tx signer |
 * | machine:cyberwasm  | cyberwasm.deliver             | the end-of-block FIFO of program messages (self-send)         |
 * | program:*          | bank.send {from: self}        | bank_send, deposit_to_reserve                 |
 * | program:*          | bank.balance, bank.supply     | bank_balance, bank_total_supply, query_machine |
 * | program:*          | graph.link {neuron: self}     | create_cyberlink                              |
 * | program:*          | graph.rank, graph.outlinks, graph.backlinks | query_rank, query_outlinks, query_backlinks |
 * | contract:*         | as program:*, plus bank.balances and bank.burn {address: self} | CosmWasm BankMsg::Burn, BankQuery::AllBalances |
 * | contract:*         | staking.{delegate, undelegate, redelegate} {delegator: self} | CosmosMsg::Staking (the staking machine then moves the coins `from: caller`) |
 * | contract:*         | distribution.{set-withdraw-address, withdraw-delegator-reward} {delegator: self}, fund-community-pool {depositor: self} | CosmosMsg::Distribution |
 * | contract:*         | staking and distribution views (bond-denom, validator, delegation, ..., delegation-rewards) | StakingQuery, DistributionQuery, accepted gRPC paths |
 *
 * Source: ARCHITECTURE.md "A program acts as itself"; docs/capabilities.md.
 */
import type { Grant } from "../../chain/Capabilities.ts"
import type { Constraint } from "../../chain/ChainCapability.ts"

const grant = (principal: string, iface: string, method: string, constraints: ReadonlyArray<Constraint> = []): Grant => ({
  principal,
  capability: { interface: iface, method, constraints }
})
const self = (field: string): Constraint[] => [{ field, op: "self", value: "" }]

/** The grants of the CyberWasm machine and of every program it hosts. */
export const CYBERWASM_GRANTS: ReadonlyArray<Grant> = [
  grant("machine:cyberwasm", "bank", "send", [{ field: "from", op: "signer", value: "" }]),
  grant("machine:cyberwasm", "cyberwasm", "deliver"),
  grant("program:*", "bank", "send", self("from")),
  grant("program:*", "bank", "balance"),
  grant("program:*", "bank", "supply"),
  grant("program:*", "graph", "link", self("neuron")),
  grant("program:*", "graph", "rank"),
  grant("program:*", "graph", "outlinks"),
  grant("program:*", "graph", "backlinks"),
  // CosmWasm contracts (cosmwasm/Contracts.ts): a contract acts as itself, like a program
  grant("contract:*", "bank", "send", self("from")),
  grant("contract:*", "bank", "burn", self("address")),
  grant("contract:*", "bank", "balance"),
  grant("contract:*", "bank", "balances"),
  grant("contract:*", "bank", "supply"),
  grant("contract:*", "graph", "link", self("neuron")),
  grant("contract:*", "graph", "rank"),
  grant("contract:*", "graph", "outlinks"),
  grant("contract:*", "graph", "backlinks"),
  // CosmosMsg::Staking / Distribution act for the contract itself; their queries read public state
  grant("contract:*", "staking", "delegate", self("delegator")),
  grant("contract:*", "staking", "undelegate", self("delegator")),
  grant("contract:*", "staking", "redelegate", self("delegator")),
  ...["bond-denom", "validator", "validator-record", "delegation", "delegator-delegations", "bonded-validators", "receiving-redelegation"].map((m) => grant("contract:*", "staking", m)),
  grant("contract:*", "distribution", "set-withdraw-address", self("delegator")),
  grant("contract:*", "distribution", "withdraw-delegator-reward", self("delegator")),
  grant("contract:*", "distribution", "fund-community-pool", self("depositor")),
  ...["withdraw-address", "delegation-rewards", "delegation-total-rewards", "delegator-validators"].map((m) => grant("contract:*", "distribution", m))
]
