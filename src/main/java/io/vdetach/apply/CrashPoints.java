package io.vdetach.apply;

/**
 * The points where {@code detach --streaming} has made its state durable: "walked",
 * "materialised", "window:K" (K units synced and recorded, unit K not punched yet), "finished"
 * (every file done, the image not yet deleted) and "deleted". Crash tests stop the JVM at one of
 * them, as kill -9 would, to prove the next run resumes; production passes {@link #NONE}.
 */
@FunctionalInterface
public interface CrashPoints {
    CrashPoints NONE = point -> { };

    void reached(String point);
}
