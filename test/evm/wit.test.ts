// plugins/evm's hand-written interface (internal/Codecs.ts) follows plugins/evm/wit/evm.wit: the
// same methods, read-only marks and bytes both ways (test/support/PluginWit.ts).
import { test } from "uvu"
import { pluginHost } from "../../plugins/Host.ts"
import createEvm from "../../plugins/evm/Evm.ts"
import { assertMatchesWit, type WireSamples } from "../support/PluginWit.ts"

const samples: WireSamples = {
  call: {
    request: [
      { to: "", data: new Uint8Array(0), gas: 0n },
      { to: "0x0000000000000000000000000000000000000a01", data: Uint8Array.of(0x70, 0xa0, 0x82, 0x31), gas: 30_000_000n }
    ],
    response: [
      { status: 0, returnData: new Uint8Array(0), gasUsed: 0n, revertReason: "" },
      { status: 1, returnData: new Uint8Array(32).fill(7), gasUsed: 21_000n, revertReason: "" },
      { status: 0, returnData: Uint8Array.of(8, 0xc3, 0x79, 0xa0), gasUsed: 25_000n, revertReason: "ERC20: transfer amount exceeds balance" }
    ]
  }
}

test("evm's interface equals the one generated from wit/evm.wit (methods, read-only, wire bytes both ways)", async () => {
  const evm = createEvm({ bech32Prefix: "cyber", bondDenom: "boot", host: pluginHost })
  await assertMatchesWit("evm", "evm-machine", evm.interface!, samples)
})

test.run()
