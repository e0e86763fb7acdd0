package io.vdetach.cli;

import io.vdetach.json.Json;

import io.vdetach.apply.Report;

/** Where command results go: stdout, as text or JSON. */
final class Output {
    private Output() {}

    static void report(Report r, boolean json, String verb) {
        if (json) System.out.println(Json.render(ReportView.toMap(r)));
        else ReportView.summary(r, System.out, verb);
        System.out.flush();
    }
}
