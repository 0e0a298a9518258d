/**
 * Errors of the `names` codespace (chain/ChainError.ts chainErrorClass), so clients see
 * "codespace: names, code N" with a log naming what is wrong.
 *
 * Source: docs/names.md (the codes are this machine's own; Hypermap reverts with named errors).
 */
import { chainErrorClass } from "../../chain/ChainError.ts"

const namesError = <const Tag extends string>(tag: Tag, code: number) => chainErrorClass(tag, "names", code)

/** names 2: a name breaks the rules (charset, label length, depth, total length). */
export class InvalidName extends namesError("NamesInvalidName", 2) {}
/** names 3: the name is already registered. */
export class NameTaken extends namesError("NamesNameTaken", 3) {}
/** names 4: no such name (or its parent does not exist). */
export class NameNotFound extends namesError("NamesNameNotFound", 4) {}
/** names 5: the signer does not own the name (or the parent, to mint under it; zones are made only at genesis). */
export class NotOwner extends namesError("NamesNotOwner", 5) {}
/** names 6: a note key or value breaks the rules (see NameRules.ts). */
export class InvalidNote extends namesError("NamesInvalidNote", 6) {}
/** names 7: the genesis section is malformed. */
export class InvalidGenesis extends namesError("NamesInvalidGenesis", 7) {}
/** names 8: no such note on the name. */
export class NoteNotFound extends namesError("NamesNoteNotFound", 8) {}
