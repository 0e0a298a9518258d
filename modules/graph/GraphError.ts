/**
 * Errors of the graph machine, with go-cyber's codespaces and codes so clients see the same
 * "codespace graph, code N" as on go-cyber. Each carries `log`, `codespace` and `code`, so the
 * multiplexer reports it like any chain error (chain/ChainError.ts isChainError).
 *
 * Source: go-cyber x/graph/types/errors.go, x/bandwidth/types/errors.go.
 */
import { chainErrorClass } from "../../chain/ChainError.ts"

const graphError = <const Tag extends string>(tag: Tag, codespace: string, code: number) => chainErrorClass(tag, codespace, code)

/** graph 2: the (from, to, neuron) cyberlink already exists (or appears twice in one message). */
export class CyberlinkExists extends graphError("CyberlinkExists", "graph", 2) {}
/** graph 3: the message has no links. */
export class ZeroLinks extends graphError("ZeroLinks", "graph", 3) {}
/** graph 4: from == to. */
export class SelfLink extends graphError("SelfLink", "graph", 4) {}
/** graph 5: a particle is not a valid CID. */
export class InvalidParticle extends graphError("InvalidParticle", "graph", 5) {}
/** graph 6: the particle is not in the graph (queries). */
export class ParticleNotFound extends graphError("ParticleNotFound", "graph", 6) {}
/** graph 7: the CID is not version 0. */
export class CidVersion extends graphError("CidVersion", "graph", 7) {}
/** graph 8: the neuron holds no stake. */
export class ZeroPower extends graphError("ZeroPower", "graph", 8) {}
/** bandwidth 2: the neuron's remaining bandwidth is below the cost. */
export class NotEnoughBandwidth extends graphError("NotEnoughBandwidth", "bandwidth", 2) {}
/** bandwidth 3: the block's bandwidth cap would be exceeded. */
export class ExceededMaxBlockBandwidth extends graphError("ExceededMaxBlockBandwidth", "bandwidth", 3) {}
