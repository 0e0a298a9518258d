// The machine conformance suite (test/machines/conformance.ts) on the graph machine (modules/graph),
// with a rank period of 3 blocks so rank calculations run (and are awaited) during the suite.
import { sha256 } from "@noble/hashes/sha2.js"
import { base58btc } from "multiformats/bases/base58"
import { CID } from "multiformats/cid"
import * as Digest from "multiformats/hashes/digest"
import { graphInterface } from "../../chain/generated/graph.ts"
import { GraphMachine } from "../../modules/graph/Graph.ts"
import { MSG_CYBERLINK_URL, MsgCyberlink, QuerySearchRequest, StringRequest } from "../../modules/graph/Messages.ts"
import { makeRankRunner } from "../../modules/graph/RankRunner.ts"
import { defaultGraphParams } from "../../modules/graph/GraphParams.ts"
import { MSG_UPDATE_PARAMS_URL, MSG_UPDATE_RANK_PARAMS_URL, MsgUpdateParams, MsgUpdateRankParams, paramsToProto, rankToProto } from "../../modules/graph/ParamsMessages.ts"
import { moduleAccountBytes } from "../../chain/Principal.ts"
import { formatAddress } from "../../modules/auth/Address.ts"
import { baseMachines, fundedGenesis, type MachineFixture } from "./Fixture.ts"
import { machineConformance } from "./conformance.ts"

/** CIDv0 (Qm...) of sha256(text). */
const cid = (text: string): string => CID.createV0(Digest.create(0x12, sha256(new TextEncoder().encode(text)))).toString(base58btc)
const [A, B, C] = [cid("a"), cid("b"), cid("c")]
const link = (neuron: string, links: ReadonlyArray<readonly [string, string]>) =>
  ({ typeUrl: MSG_CYBERLINK_URL, value: MsgCyberlink.encode({ neuron, links: links.map(([from, to]) => ({ from, to })) }).finish() })
const method = (name: string, value: unknown) => ({ method: name, body: graphInterface.methods[name]!.request.encode(value) })
const str = (value: string) => StringRequest.encode({ value }).finish()

const gov = formatAddress(moduleAccountBytes("gov"), "cyber")

const fixture: MachineFixture = {
  name: "graph",
  machines: () => [...baseMachines(), new GraphMachine({ bech32Prefix: "cyber", runner: makeRankRunner({ threads: 1 }) })],
  genesis: (keys) => fundedGenesis(keys, {
    graph: { params: { stake_denom: "boot", rank: { calculation_period: "3" }, bandwidth: { desirable_bandwidth: "4000", adjust_price_period: "1000" } } }
  }),
  messages: (keys) => [link(keys.signer, [[A, B], [A, C]])],
  authorityMessages: () => [
    { typeUrl: MSG_UPDATE_PARAMS_URL, value: MsgUpdateParams.encode({ authority: gov, params: paramsToProto(defaultGraphParams) }).finish() },
    { typeUrl: MSG_UPDATE_RANK_PARAMS_URL, value: MsgUpdateRankParams.encode({ authority: gov, params: rankToProto(defaultGraphParams.rank) }).finish() }
  ],
  queries: (keys) => [
    { path: "/cyber.graph.v1beta1.Query/Params", data: new Uint8Array() },
    { path: "/cyber.rank.v1beta1.Query/Params", data: new Uint8Array() },
    { path: "/cyber.rank.v1beta1.Query/Search", data: QuerySearchRequest.encode({ particle: A }).finish() },
    { path: "/cyber.rank.v1beta1.Query/Backlinks", data: QuerySearchRequest.encode({ particle: B }).finish() },
    { path: "/cyber.rank.v1beta1.Query/Rank", data: str(A) },
    { path: "/cyber.graph.v1beta1.Query/GraphStats", data: new Uint8Array() },
    { path: "/cyber.bandwidth.v1beta1.Query/NeuronBandwidth", data: str(keys.signer) },
    { path: "/cyber.bandwidth.v1beta1.Query/Price", data: new Uint8Array() }
  ],
  calls: (keys) => [
    method("link", { neuron: keys.signer, links: [{ from: B, to: C }] }),
    method("outlinks", { particle: A }),
    method("backlinks", { particle: B }),
    method("rank", { particle: A })
  ],
  sized: (keys) => [
    link(keys.signer, [[cid("s0"), cid("s1")]]),
    link(keys.signer, Array.from({ length: 8 }, (_, i) => [cid(`s${i + 2}`), cid(`t${i}`)] as const))
  ],
  crossCall: (keys) => ({
    message: link(keys.signer, [[C, A]]),
    grant: { principal: "machine:graph", capability: { interface: "bank", method: "balance", constraints: [] } }
  })
}

machineConformance(fixture).run()
