/*
 * For the Wine try-out of packaging/windows.sh only; never shipped in the
 * zip. Rust's standard library on Windows asks bcryptprimitives.dll for
 * ProcessPrng (random bytes for HashMap keys and the like); Debian's Wine 8
 * has that DLL without this function, so the program would not start.
 * This DLL, placed next to datamed.exe in the test folder and loaded
 * instead of Wine's builtin one (WINEDLLOVERRIDES), exports ProcessPrng
 * over RtlGenRandom (advapi32's SystemFunction036), which Wine has.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
