package io.vdetach.volume.vss;

/** Which shadow copies of NTFS volumes a command reads ({@code --vss}). */
public sealed interface StoreSelection {

    /** The live volumes only (no --vss). */
    StoreSelection NONE = new None();

    /** Every store, each as a volume of its own next to the live one ({@code --vss all}). */
    StoreSelection ALL = new All();

    record None() implements StoreSelection {}

    record All() implements StoreSelection {}

    /** Store {@code index} (1 = oldest) instead of the live volume ({@code --vss N}). */
    record One(int index) implements StoreSelection {
        public One {
            if (index < 1) throw new IllegalArgumentException("store " + index);
        }
    }
}
