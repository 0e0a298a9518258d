/**
 * What a machine author hands the conformance suite (test/machines/conformance.ts): how to build
 * the machines of a chain with the machine under test, its genesis, and valid samples of every
 * message type, query path and interface method it declares. Samples are raw protobuf `Any`s and
 * bodies, so the suite can also derive malformed variants of each; a machine with its own tx
 * encoding (Machine.txFormat) gives raw txs instead (`rawTxs`).
 */
import type { Any } from "cosmjs-types/google/protobuf/any"
import type { Grant } from "../../chain/Capabilities.ts"
import type { Machine } from "../../chain/Machine.ts"
import { AuthMachine } from "../../modules/auth/Auth.ts"
import { BankMachine } from "../../modules/bank/Bank.ts"

/** Addresses the suite provides: `signer` is funded and signs every tx; `other` has no account at genesis. */
export interface Keys {
  readonly signer: string
  readonly other: string
}

/** A valid query: full gRPC path and protobuf request bytes. */
export interface QuerySample {
  readonly path: string
  readonly data: Uint8Array
  /**
   * An empty body is itself a valid request of this path (every field optional, as in eth_call's
   * `{}`), so the suite does not require it refused; it must still not give code 1.
   */
  readonly emptyValid?: boolean
}

/** A valid call of one of the machine's interface methods: WIT method name and protobuf request body. */
export interface CallSample {
  readonly method: string
  readonly body: Uint8Array
}

/** The machine under test and its samples. */
export interface MachineFixture {
  /** Name of the machine under test (its namespace). */
  readonly name: string
  /**
   * Fresh instances of every machine of the chain: `auth` (the tx pipeline) and `bank` (fees)
   * first, then the machine under test and what it calls. Called once per chain opened, and
   * again when a chain is reopened from disk.
   */
  machines(): Machine[]
  /** Genesis app_state (section per machine name) in which `keys.signer` holds boot: see {@link fundedGenesis}. */
  genesis(keys: Keys): Record<string, unknown>
  /**
   * Valid messages, at least one per entry of `msgTypeUrls`, in the order they run: each is
   * signed by `keys.signer`, sent alone in a tx in its own block, and must give code 0.
   */
  messages(keys: Keys): ReadonlyArray<Any>
  /**
   * Valid messages only the governance authority sends (authority = the gov module account, e.g.
   * MsgUpdateParams): no key signs for it, so they are not run in a tx (test/params runs them through
   * ExecContext.execute); they count as the samples of their type URLs and their malformed variants
   * are checked like the others'.
   */
  authorityMessages?(keys: Keys): ReadonlyArray<Any>
  /**
   * Valid transactions in the machine's own encoding (Machine.txFormat, e.g. raw Ethereum txs),
   * for a machine whose messages cannot ride in a Cosmos tx. Each is sent as-is in its own block,
   * after `messages`, in this order, and must give code 0; signed by the fixture's own keys (funded
   * in its `genesis`), valid in this order on a fresh chain. The messages they carry (as
   * `txFormat.decode` gives them) count as samples of their type URLs; malformed variants of those
   * bodies are checked like the others', and also sent as block txs.
   */
  rawTxs?(keys: Keys): ReadonlyArray<Uint8Array>
  /** A raw tx valid right after `rawTxs` ran: the next block after a reopen (default: the first message). */
  nextRawTx?(keys: Keys): Uint8Array
  /**
   * Two raw txs valid right after `rawTxs`, the second writing more data than the first: the
   * metering property's raw-tx counterpart of `sized` (gas, with no tx-size deduction, must grow).
   * The out-of-gas half of that property runs on `messages` only: a raw encoding brings its own gas
   * rules (Ethereum: a tx that runs out of gas is included, status 0, and pays), which its machine's
   * own tests cover.
   */
  sizedRawTxs?(keys: Keys): readonly [Uint8Array, Uint8Array]
  /** Valid queries, at least one per entry of `queryPrefixes`, answered after every message ran. */
  queries(keys: Keys): ReadonlyArray<QuerySample>
  /** Valid calls of interface methods, made by a principal holding the method's capability. */
  calls?(keys: Keys): ReadonlyArray<CallSample>
  /** Two valid messages, the second writing more data than the first (run after `messages`). */
  sized?(keys: Keys): readonly [Any, Any]
  /**
   * A valid message whose handling calls another machine, and the genesis grant that allows the
   * call: the suite revokes the grant and expects the message refused with code 4. Required when
   * the machine asks for grants of its own (`machine:<name>` in Machine.grants).
   */
  crossCall?(keys: Keys): CrossCall
  /**
   * Properties the machine does not meet yet, by test name prefix, with the reason: reported as
   * skipped in the summary (never as a pass) until the machine is fixed.
   */
  readonly knownGaps?: Readonly<Record<string, string>>
}

/**
 * A cross-machine call sample: a message (sent in a Cosmos tx signed by `keys.signer`) or a raw tx
 * (a machine with a txFormat; valid right after `rawTxs`), and the genesis grant that allows it.
 */
export type CrossCall =
  | { readonly message: Any; readonly grant: Grant }
  | { readonly rawTx: Uint8Array; readonly grant: Grant }

/** The base machines of a conformance chain: auth (low fee floor) and bank. */
export const baseMachines = (): Machine[] => [new AuthMachine({ minGasPrices: "0.0001boot" }), new BankMachine()]

/** Balance of the signer at genesis, in boot. */
export const SIGNER_FUNDS = "1000000000000000"

/** auth + bank genesis in which `keys.signer` holds {@link SIGNER_FUNDS} boot, plus `sections`. */
export const fundedGenesis = (keys: Keys, sections: Record<string, unknown> = {}): Record<string, unknown> => ({
  auth: { accounts: [] },
  bank: { balances: [{ address: keys.signer, coins: [{ denom: "boot", amount: SIGNER_FUNDS }] }] },
  ...sections
})
