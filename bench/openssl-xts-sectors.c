/* Peer for bench/bitlocker-dump.sh: what `dump --volume` does to an AES-XTS-128 BitLocker volume,
 * done by OpenSSL's EVP (libcrypto) in one thread: read IN 1 MiB at a time, decrypt every
 * SECTOR-byte sector with its sector number as the XTS tweak (16 bytes little-endian, as BitLocker
 * does), write OUT. The key is fixed (the real FVEK is not needed to time the same work).
 *   usage: openssl-xts-sectors IN OUT [SECTOR]   (build: cc -O2 -o X openssl-xts-sectors.c -lcrypto) */
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: %s IN OUT [SECTOR]\n", argv[0]); return 2; }
    int sector = argc > 3 ? atoi(argv[3]) : 512;
    int in = open(argv[1], O_RDONLY), out = open(argv[2], O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (in < 0 || out < 0) { perror("open"); return 1; }
    unsigned char key[32];
    for (int i = 0; i < 32; i++) key[i] = (unsigned char) (i * 7 + 1);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (!EVP_DecryptInit_ex(ctx, EVP_aes_128_xts(), NULL, key, NULL)) { fprintf(stderr, "init failed\n"); return 1; }
    size_t chunk = 1 << 20;
    unsigned char *buf = malloc(chunk), *plain = malloc(chunk);
    long long pos = 0;
    for (;;) {
        ssize_t n = pread(in, buf, chunk, pos);
        if (n < 0) { perror("pread"); return 1; }
        if (n == 0) break;
        for (ssize_t s = 0; s + sector <= n; s += sector) {
            unsigned char iv[16] = {0};
            unsigned long long unit = (unsigned long long) (pos + s) / sector;
            memcpy(iv, &unit, 8); /* x86: little-endian */
            int len;
            if (!EVP_DecryptInit_ex(ctx, NULL, NULL, NULL, iv) || !EVP_DecryptUpdate(ctx, plain + s, &len, buf + s, sector)) {
                fprintf(stderr, "decrypt failed\n");
                return 1;
            }
        }
        if (pwrite(out, plain, n, pos) != n) { perror("pwrite"); return 1; }
        pos += n;
    }
    EVP_CIPHER_CTX_free(ctx);
    return close(out) == 0 ? 0 : 1;
}
