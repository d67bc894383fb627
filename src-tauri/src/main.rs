// Without a console window on Windows release builds; logs go to the log file instead.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    cachicamo_lib::run();
}
