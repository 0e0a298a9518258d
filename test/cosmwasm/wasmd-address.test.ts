// Contract addresses against wasmd's own vectors (x/wasm/keeper/addresses_test.go): classic
// (TestBuildContractAddressClassic) and instantiate2 (goldenMasterPredictableContractAddr, generated
// by cosmjs and checked by wasmd), with the "purple" bech32 prefix the wasmd test sets.
import { fromBech32 } from "@cosmjs/encoding"
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { bech32, classicAddress, predictableAddress } from "../../modules/cyberwasm/cosmwasm/Address.ts"
import { fromHex } from "../../lib/Bytes.ts"

const test = suite("wasmd contract addresses")

// wasmd x/wasm/keeper/addresses_test.go TestBuildContractAddressClassic
const CLASSIC: ReadonlyArray<readonly [bigint, bigint, string]> = [
  [0n, 0n, "purple1w0w8sasnut0jx0vvsnvlc8nayq0q2ej8xgrpwgel05tn6wy4r57qfplul7"],
  [0n, 1n, "purple156r47kpk4va938pmtpuee4fh77847gqcw2dmpl2nnpwztwfgz04s5cr8hj"],
  [1n, 0n, "purple1mzdhwvvh22wrt07w59wxyd58822qavwkx5lcej7aqfkpqqlhaqfs5efvjk"],
  [1n, 1n, "purple14hj2tavq8fpesdwxxcu44rty3hh90vhujrvcmstl4zr3txmfvw9smc2vxm"]
]

// wasmd x/wasm/keeper/addresses_test.go goldenMasterPredictableContractAddr (in/out fields)
const PREDICTABLE: ReadonlyArray<{ checksum: string; creatorData: string; salt: string; msg: string | null; address: string }> = [
  {"checksum":"13a1fc994cc6d1c81b746ee0c0ff6f90043875e0bf1d9be6b7d779fc978dc2a5","creatorData":"9999999999aaaaaaaaaabbbbbbbbbbcccccccccc","salt":"61","msg":null,"address":"purple1t6r960j945lfv8mhl4mage2rg97w63xeynwrupum2s2l7em4lprs9ce5hk"},
  {"checksum":"13a1fc994cc6d1c81b746ee0c0ff6f90043875e0bf1d9be6b7d779fc978dc2a5","creatorData":"9999999999aaaaaaaaaabbbbbbbbbbcccccccccc","salt":"61","msg":"{}","address":"purple1px25n9sgj3a99q0zcl4awx7my6s6mxqegmdd2lmvf5lwxh080q6suttktr"},
  {"checksum":"13a1fc994cc6d1c81b746ee0c0ff6f90043875e0bf1d9be6b7d779fc978dc2a5","creatorData":"9999999999aaaaaaaaaabbbbbbbbbbcccccccccc","salt":"61","msg":"{\"some\":123,\"structure\":{\"nested\":[\"ok\",true]}}","address":"purple1svexu428ywc4htrxfn4tezjcsl38qqata8aany4033auafr529ns4v254c"},
  {"checksum":"13a1fc994cc6d1c81b746ee0c0ff6f90043875e0bf1d9be6b7d779fc978dc2a5","creatorData":"9999999999aaaaaaaaaabbbbbbbbbbcccccccccc","salt":"aabbccddeeffffeeddbbccddaa66551155aaaabbcc787878789900aabbccddeeffffeeddbbccddaa66551155aaaabbcc787878789900aabbbbcc221100acadae","msg":null,"address":"purple1jwzvvfyvpwchrccxl476pxf7c83qawsqv3f2820q0zyrav6eg4jqdcq7gc"},
  {"checksum":"13a1fc994cc6d1c81b746ee0c0ff6f90043875e0bf1d9be6b7d779fc978dc2a5","creatorData":"9999999999aaaaaaaaaabbbbbbbbbbcccccccccc","salt":"aabbccddeeffffeeddbbccddaa66551155aaaabbcc787878789900aabbccddeeffffeeddbbccddaa66551155aaaabbcc787878789900aabbbbcc221100acadae","msg":"{}","address":"purple1n2x4lx8mrp5z2sq6ycsxzk885ysnxydfk658j3zxnyfk2kh49lasesxf6j"},
  {"checksum":"13a1fc994cc6d1c81b746ee0c0ff6f90043875e0bf1d9be6b7d779fc978dc2a5","creatorData":"9999999999aaaaaaaaaabbbbbbbbbbcccccccccc","salt":"aabbccddeeffffeeddbbccddaa66551155aaaabbcc787878789900aabbccddeeffffeeddbbccddaa66551155aaaabbcc787878789900aabbbbcc221100acadae","msg":"{\"some\":123,\"structure\":{\"nested\":[\"ok\",true]}}","address":"purple1jvhs00zn7lgtpdpukkj54slzgkeqte4wda7pmxgac6h55tle4svq8cmp60"},
  {"checksum":"13a1fc994cc6d1c81b746ee0c0ff6f90043875e0bf1d9be6b7d779fc978dc2a5","creatorData":"9999999999aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeeeffff","salt":"61","msg":null,"address":"purple1juj7jn6j3k9h35euyhealntquc2zmzlxp2ek76jmtypkl4g4vrdsfwmwxk"},
  {"checksum":"13a1fc994cc6d1c81b746ee0c0ff6f90043875e0bf1d9be6b7d779fc978dc2a5","creatorData":"9999999999aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeeeffff","salt":"61","msg":"{}","address":"purple1kptw2wdm4az8hgv08ufm0y5hqyglc7yn86m8qr6dyfa4y9kkxevqmkm9q3"},
  {"checksum":"13a1fc994cc6d1c81b746ee0c0ff6f90043875e0bf1d9be6b7d779fc978dc2a5","creatorData":"9999999999aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeeeffff","salt":"61","msg":"{\"some\":123,\"structure\":{\"nested\":[\"ok\",true]}}","address":"purple1djvyxsvq7pfzjnlcn7md9khrf705g69shrnw0sqzk2jy4hhrn27sjh2ysy"},
  {"checksum":"13a1fc994cc6d1c81b746ee0c0ff6f90043875e0bf1d9be6b7d779fc978dc2a5","creatorData":"9999999999aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeeeffff","salt":"aabbccddeeffffeeddbbccddaa66551155aaaabbcc787878789900aabbccddeeffffeeddbbccddaa66551155aaaabbcc787878789900aabbbbcc221100acadae","msg":null,"address":"purple1p2h3cvw9655ay8vfsa6mcddng9h5007ejxyvxdxxcutpqt9axyqsagmmay"},
  {"checksum":"13a1fc994cc6d1c81b746ee0c0ff6f90043875e0bf1d9be6b7d779fc978dc2a5","creatorData":"9999999999aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeeeffff","salt":"aabbccddeeffffeeddbbccddaa66551155aaaabbcc787878789900aabbccddeeffffeeddbbccddaa66551155aaaabbcc787878789900aabbbbcc221100acadae","msg":"{}","address":"purple1xmlx4dejrp7dlm2x9y95fzejadl50x885jtgkpfhm69ggt9lqv8qk3vn4f"},
  {"checksum":"13a1fc994cc6d1c81b746ee0c0ff6f90043875e0bf1d9be6b7d779fc978dc2a5","creatorData":"9999999999aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeeeffff","salt":"aabbccddeeffffeeddbbccddaa66551155aaaabbcc787878789900aabbccddeeffffeeddbbccddaa66551155aaaabbcc787878789900aabbbbcc221100acadae","msg":"{\"some\":123,\"structure\":{\"nested\":[\"ok\",true]}}","address":"purple15rgvjs4d43hnuhnuyvgkcnzz5f8fdc9twh6ndy8v9577zcr8cags40l9dt"},
  {"checksum":"1da6c16de2cbaf7ad8cbb66f0925ba33f5c278cb2491762d04658c1480ea229b","creatorData":"9999999999aaaaaaaaaabbbbbbbbbbcccccccccc","salt":"61","msg":null,"address":"purple1h9wyvusc6sy2p7fsgmez0dhvullpsyel7vq38k6d9fa7ehlv59qsvnyh36"},
  {"checksum":"1da6c16de2cbaf7ad8cbb66f0925ba33f5c278cb2491762d04658c1480ea229b","creatorData":"9999999999aaaaaaaaaabbbbbbbbbbcccccccccc","salt":"61","msg":"{}","address":"purple1y0lytkaaghwxe5jjgjn5km5eu7n9hu96ctegg2s9qjwnw4268tnqxhg60a"},
  {"checksum":"1da6c16de2cbaf7ad8cbb66f0925ba33f5c278cb2491762d04658c1480ea229b","creatorData":"9999999999aaaaaaaaaabbbbbbbbbbcccccccccc","salt":"61","msg":"{\"some\":123,\"structure\":{\"nested\":[\"ok\",true]}}","address":"purple1d7h2yc0dvwa2vkc9wf3xn6pmy9l6vgzaclvlka8eve7sqjnfczpqqsdnwu"},
  {"checksum":"1da6c16de2cbaf7ad8cbb66f0925ba33f5c278cb2491762d04658c1480ea229b","creatorData":"9999999999aaaaaaaaaabbbbbbbbbbcccccccccc","salt":"aabbccddeeffffeeddbbccddaa66551155aaaabbcc787878789900aabbccddeeffffeeddbbccddaa66551155aaaabbcc787878789900aabbbbcc221100acadae","msg":null,"address":"purple1v736kcuyw2vjtld3g3t5v2xwj6pklcyc6trtun5y4sgxkfegm9kq7vgpnt"},
  {"checksum":"1da6c16de2cbaf7ad8cbb66f0925ba33f5c278cb2491762d04658c1480ea229b","creatorData":"9999999999aaaaaaaaaabbbbbbbbbbcccccccccc","salt":"aabbccddeeffffeeddbbccddaa66551155aaaabbcc787878789900aabbccddeeffffeeddbbccddaa66551155aaaabbcc787878789900aabbbbcc221100acadae","msg":"{}","address":"purple1ywsjzf3mlns9c9z0ftux70v2n7rac4hem3ydhnlu33dxzndycesssc7x2m"},
  {"checksum":"1da6c16de2cbaf7ad8cbb66f0925ba33f5c278cb2491762d04658c1480ea229b","creatorData":"9999999999aaaaaaaaaabbbbbbbbbbcccccccccc","salt":"aabbccddeeffffeeddbbccddaa66551155aaaabbcc787878789900aabbccddeeffffeeddbbccddaa66551155aaaabbcc787878789900aabbbbcc221100acadae","msg":"{\"some\":123,\"structure\":{\"nested\":[\"ok\",true]}}","address":"purple1mkgdhfkkln2lh8yu3afkx98trwefedd2pp9kx0zcq6ujdftrddvq50esay"},
  {"checksum":"1da6c16de2cbaf7ad8cbb66f0925ba33f5c278cb2491762d04658c1480ea229b","creatorData":"9999999999aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeeeffff","salt":"61","msg":null,"address":"purple123a8gvpz7nc67pd3qt6hhuwpclt7aqd6usnacgxndvkya3tkz2hq5hz38f"},
  {"checksum":"1da6c16de2cbaf7ad8cbb66f0925ba33f5c278cb2491762d04658c1480ea229b","creatorData":"9999999999aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeeeffff","salt":"61","msg":"{}","address":"purple1g9hpdygsuj6pr0znzckh2qajh0c566ekk9qn5n6vntmzy6twjejsrl9alk"},
  {"checksum":"1da6c16de2cbaf7ad8cbb66f0925ba33f5c278cb2491762d04658c1480ea229b","creatorData":"9999999999aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeeeffff","salt":"61","msg":"{\"some\":123,\"structure\":{\"nested\":[\"ok\",true]}}","address":"purple1vxdqnz9e9kredn4frh4x8ja37xh05jntdmjut50fxuq8y5nfwgsquu9mxh"},
  {"checksum":"1da6c16de2cbaf7ad8cbb66f0925ba33f5c278cb2491762d04658c1480ea229b","creatorData":"9999999999aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeeeffff","salt":"aabbccddeeffffeeddbbccddaa66551155aaaabbcc787878789900aabbccddeeffffeeddbbccddaa66551155aaaabbcc787878789900aabbbbcc221100acadae","msg":null,"address":"purple1mzhc26n2qjzj6xdkg7kk6sekavnwqalhgzh0rgpnrke562v63pdq8grp8q"},
  {"checksum":"1da6c16de2cbaf7ad8cbb66f0925ba33f5c278cb2491762d04658c1480ea229b","creatorData":"9999999999aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeeeffff","salt":"aabbccddeeffffeeddbbccddaa66551155aaaabbcc787878789900aabbccddeeffffeeddbbccddaa66551155aaaabbcc787878789900aabbbbcc221100acadae","msg":"{}","address":"purple1clahh65km24j8eqkcn70x2pp2vpsqhsap42zgftnx4tgu5upuv7q9ywjws"},
  {"checksum":"1da6c16de2cbaf7ad8cbb66f0925ba33f5c278cb2491762d04658c1480ea229b","creatorData":"9999999999aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeeeffff","salt":"aabbccddeeffffeeddbbccddaa66551155aaaabbcc787878789900aabbccddeeffffeeddbbccddaa66551155aaaabbcc787878789900aabbbbcc221100acadae","msg":"{\"some\":123,\"structure\":{\"nested\":[\"ok\",true]}}","address":"purple1en0em6s5rfkzgav8q556kw86a80vxr0j3cq93987v4utvcfn4d9q0tql4w"}
]

test("classic addresses equal wasmd's BuildContractAddressClassic vectors", () => {
  for (const [codeId, instanceId, expected] of CLASSIC) assert.is(bech32("purple", classicAddress(codeId, instanceId)), expected, `code ${codeId} instance ${instanceId}`)
})

test("instantiate2 addresses equal wasmd's BuildContractAddressPredictable vectors (20- and 32-byte creators, salts up to 64 bytes, with and without msg)", () => {
  assert.is(PREDICTABLE.length, 24)
  for (const [i, v] of PREDICTABLE.entries()) {
    const got = predictableAddress(fromHex(v.checksum), fromHex(v.creatorData), fromHex(v.salt), new TextEncoder().encode(v.msg ?? ""))
    assert.is(bech32("purple", got), v.address, `vector ${i}`)
    assert.is(fromBech32(v.address, 1023).data.length, 32)
  }
})

test("TestBuildContractAddressPredictableShort: the first 20 bytes are the short form", () => {
  const got = predictableAddress(fromHex("13a1fc994cc6d1c81b746ee0c0ff6f90043875e0bf1d9be6b7d779fc978dc2a5"), fromHex("9999999999aaaaaaaaaabbbbbbbbbbcccccccccc"), fromHex("61"), new Uint8Array())
  assert.is(Buffer.from(got.subarray(0, 20)).toString("hex"), "5e865d3e45ad3e961f77fd77d46543417ced44d9")
})

test("instantiate2 refuses an empty salt (code 12) and one over 64 bytes (code 13)", () => {
  const checksum = new Uint8Array(32)
  const creator = new Uint8Array(20)
  assert.throws(() => predictableAddress(checksum, creator, new Uint8Array(), new Uint8Array()), (e: { code: number; codespace: string }) => e.code === 12 && e.codespace === "wasm")
  assert.throws(() => predictableAddress(checksum, creator, new Uint8Array(65), new Uint8Array()), (e: { code: number }) => e.code === 13)
  predictableAddress(checksum, creator, new Uint8Array(64), new Uint8Array())
})

test.run()
