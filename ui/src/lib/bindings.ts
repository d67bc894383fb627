// Generated from the Rust types by src-tauri/src/bindings.rs. Do not edit by hand:
// run `UPDATE_BINDINGS=1 cargo test -p cachicamo bindings` after changing them.

export type Language = "es" | "en";

export type ErrorCode = "database_too_new" | "storage" | "invalid_input" | "internal";

export type IpcError = { code: ErrorCode, message: string, details: { [key in string]: string }, };

export type Bootstrap = { language: Language, version: string, 
/**
 * Set when the app cannot work at all (for example a database from a newer version): the UI
 * shows this instead of its screens.
 */
blocked: IpcError | null, };

export type FirstRender = { 
/**
 * Milliseconds from the OS process start to the UI's first render.
 */
millisSinceProcessStart: number, };
