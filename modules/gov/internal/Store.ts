/**
 * The gov namespace layout (binary keys, protobuf values):
 * - 0x00 | id (u64 BE)                         -> cosmos.gov.v1.Proposal
 * - 0x01 | end time (u64 BE s, u32 BE ns) | id  -> empty: active queue (voting end)
 * - 0x02 | end time | id                       -> empty: inactive queue (deposit end)
 * - 0x03                                       -> next proposal id (u64 BE)
 * - 0x10 | id | len | depositor address bytes  -> cosmos.gov.v1.Deposit
 * - 0x20 | id | len | voter address bytes      -> cosmos.gov.v1.Vote
 * - 0x30                                       -> cosmos.gov.v1.Params
 * Iteration follows key order: queues by (end time, id), deposits and votes by address bytes.
 *
 * Source: cosmos-sdk x/gov/keeper/keeper.go collections (Proposals, ActiveProposalsQueue,
 * InactiveProposalsQueue, Deposits, Votes, ProposalID, Params).
 */
import { Deposit, Params, Proposal, Vote } from "cosmjs-types/cosmos/gov/v1/gov"
import type { Timestamp } from "cosmjs-types/google/protobuf/timestamp"
import { concatBytes as cat } from "../../../lib/Bytes.ts"
import type { KVStore } from "../../../store/KVStore.ts"

const u64 = (v: bigint): Uint8Array => {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setBigUint64(0, v)
  return b
}
const timeKey = (t: Timestamp): Uint8Array => {
  const b = new Uint8Array(12)
  const v = new DataView(b.buffer)
  v.setBigUint64(0, t.seconds < 0n ? 0n : t.seconds)
  v.setUint32(8, t.nanos)
  return b
}
/** The key just past every key starting with `p`. */
export const prefixEnd = (p: Uint8Array): Uint8Array => {
  const e = new Uint8Array(p)
  for (let i = e.length - 1; i >= 0; i--) {
    if (e[i]! < 0xff) {
      e[i]!++
      return e.subarray(0, i + 1)
    }
  }
  return new Uint8Array()
}

/** Key prefix of proposals. */
export const PROPOSAL = 0x00
/** Key prefix of the active (voting) queue. */
export const ACTIVE = 0x01
/** Key prefix of the inactive (deposit) queue. */
export const INACTIVE = 0x02
const NEXT_ID = Uint8Array.of(0x03)
/** Key prefix of deposits. */
export const DEPOSIT = 0x10
/** Key prefix of votes. */
export const VOTE = 0x20
const PARAMS = Uint8Array.of(0x30)

/** Key of proposal `id`. */
export const proposalKey = (id: bigint): Uint8Array => cat(Uint8Array.of(PROPOSAL), u64(id))
/** Prefix of every deposit (or vote) of proposal `id`. */
export const perProposalPrefix = (kind: typeof DEPOSIT | typeof VOTE, id: bigint): Uint8Array => cat(Uint8Array.of(kind), u64(id))
const addrKey = (kind: typeof DEPOSIT | typeof VOTE, id: bigint, addr: Uint8Array): Uint8Array =>
  cat(perProposalPrefix(kind, id), Uint8Array.of(addr.length), addr)

/** Read proposal `id`, or undefined. */
export const getProposal = (s: KVStore, id: bigint): Proposal | undefined => {
  const v = s.get(proposalKey(id))
  return v ? Proposal.decode(v) : undefined
}
/** Write a proposal. */
export const setProposal = (s: KVStore, p: Proposal): void => s.set(proposalKey(p.id), Proposal.encode(p).finish())
/** Delete a proposal record. */
export const deleteProposal = (s: KVStore, id: bigint): void => s.delete(proposalKey(id))

/** Proposals in id order (or reverse), starting at id `from` when given (inclusive). */
export function* iterateProposals(s: KVStore, reverse = false, from?: bigint): Generator<Proposal> {
  const p = Uint8Array.of(PROPOSAL)
  let start: Uint8Array = p
  let end: Uint8Array = prefixEnd(p)
  if (from !== undefined) {
    if (reverse) end = prefixEnd(proposalKey(from))
    else start = proposalKey(from)
  }
  for (const [, v] of s.iterate(start, end, reverse)) yield Proposal.decode(v)
}

/** Add `id` to the active (voting) or inactive (deposit) queue at `end`. */
export const enqueue = (s: KVStore, queue: typeof ACTIVE | typeof INACTIVE, end: Timestamp, id: bigint): void =>
  s.set(cat(Uint8Array.of(queue), timeKey(end), u64(id)), new Uint8Array())
/** Remove `id` at `end` from a queue. */
export const dequeue = (s: KVStore, queue: typeof ACTIVE | typeof INACTIVE, end: Timestamp, id: bigint): void =>
  s.delete(cat(Uint8Array.of(queue), timeKey(end), u64(id)))

/** Ids in `queue` whose end time is at or before `now`, in (end time, id) order. */
export const dueIds = (s: KVStore, queue: typeof ACTIVE | typeof INACTIVE, now: Timestamp): bigint[] => {
  const start = Uint8Array.of(queue)
  const end = cat(start, prefixEnd(timeKey(now)))
  const out: bigint[] = []
  for (const [k] of s.iterate(start, end)) out.push(new DataView(k.buffer, k.byteOffset, k.length).getBigUint64(13))
  return out
}

/** The id the next proposal gets (1 on a fresh chain). */
export const nextProposalId = (s: KVStore): bigint => {
  const v = s.get(NEXT_ID)
  return v ? new DataView(v.buffer, v.byteOffset, v.length).getBigUint64(0) : 1n
}
/** Set the next proposal id. */
export const setNextProposalId = (s: KVStore, id: bigint): void => s.set(NEXT_ID, u64(id))

/** Read a deposit. */
export const getDeposit = (s: KVStore, id: bigint, addr: Uint8Array): Deposit | undefined => {
  const v = s.get(addrKey(DEPOSIT, id, addr))
  return v ? Deposit.decode(v) : undefined
}
/** Write a deposit. */
export const setDeposit = (s: KVStore, addr: Uint8Array, d: Deposit): void => s.set(addrKey(DEPOSIT, d.proposalId, addr), Deposit.encode(d).finish())
/** Read a vote. */
export const getVote = (s: KVStore, id: bigint, addr: Uint8Array): Vote | undefined => {
  const v = s.get(addrKey(VOTE, id, addr))
  return v ? Vote.decode(v) : undefined
}
/** Write a vote. */
export const setVote = (s: KVStore, addr: Uint8Array, v: Vote): void => s.set(addrKey(VOTE, v.proposalId, addr), Vote.encode(v).finish())

/** Every deposit (or vote) of proposal `id` with its key, by address bytes. */
export const listPerProposal = (s: KVStore, kind: typeof DEPOSIT | typeof VOTE, id: bigint): Array<[Uint8Array, Uint8Array]> => {
  const p = perProposalPrefix(kind, id)
  const out: Array<[Uint8Array, Uint8Array]> = []
  for (const [k, v] of s.iterate(p, prefixEnd(p))) out.push([new Uint8Array(k), v])
  return out
}
/** Deposits of proposal `id`, by depositor address bytes. */
export const listDeposits = (s: KVStore, id: bigint): Deposit[] => listPerProposal(s, DEPOSIT, id).map(([, v]) => Deposit.decode(v))
/** Votes of proposal `id`, by voter address bytes. */
export const listVotes = (s: KVStore, id: bigint): Vote[] => listPerProposal(s, VOTE, id).map(([, v]) => Vote.decode(v))
/** Delete every deposit (or vote) of proposal `id`. */
export const deletePerProposal = (s: KVStore, kind: typeof DEPOSIT | typeof VOTE, id: bigint): void => {
  for (const [k] of listPerProposal(s, kind, id)) s.delete(k)
}

/** Stored params, or undefined before genesis. */
export const getParams = (s: KVStore): Params | undefined => {
  const v = s.get(PARAMS)
  return v ? Params.decode(v) : undefined
}
/** Write params. */
export const setParams = (s: KVStore, p: Params): void => s.set(PARAMS, Params.encode(p).finish())
