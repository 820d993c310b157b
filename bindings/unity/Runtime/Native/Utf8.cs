// UTF-8 by hand both ways: Mono, .NET and IL2CPP disagree on the default string marshalling,
// so strings cross the boundary only as NUL-terminated byte arrays and borrowed pointers.
using System;
using System.Runtime.InteropServices;
using System.Text;

namespace GameGate.Native
{
    internal static class Utf8
    {
        // Strict for what goes down: a lone surrogate throws instead of becoming U+FFFD.
        private static readonly UTF8Encoding Strict = new UTF8Encoding(false, true);
        // Lenient for what comes up: the library hands out valid UTF-8 already.
        private static readonly UTF8Encoding Lenient = new UTF8Encoding(false, false);

        // null stays null, so the library reports GG_NULL_PARAM for a missing string. A string
        // the library would read differently from what the game meant is refused here, before
        // anything is sent: an embedded NUL would cut it short ("alice\0-admin" is "alice" in C).
        internal static byte[] Encode(string text)
        {
            if (text == null) return null;
            if (text.IndexOf('\0') >= 0)
                throw Refusal("a string contains a NUL character (U+0000), which would cut it short; nothing was sent");
            try
            {
                var bytes = new byte[Strict.GetByteCount(text) + 1];
                Strict.GetBytes(text, 0, text.Length, bytes, 0);
                return bytes;
            }
            catch (EncoderFallbackException)
            {
                throw Refusal("a string is not valid Unicode (it has a lone surrogate); nothing was sent");
            }
        }

        private static GameGateException Refusal(string message)
        {
            return new GameGateException(new GameGateError(ResultCode.InvalidArgument, 0, string.Empty, message));
        }

        // A borrowed C string, copied before the callback returns; NULL reads as "".
        internal static string Decode(IntPtr text)
        {
            if (text == IntPtr.Zero) return string.Empty;
            int length = Length(text);
            if (length == 0) return string.Empty;
            var bytes = new byte[length];
            Marshal.Copy(text, bytes, 0, length);
            return Lenient.GetString(bytes);
        }

        // strlen without unsafe code, a machine word at a time once aligned (a byte at a time
        // cost 2.2 ms per MiB on the main thread). An aligned 8-byte read never crosses a page
        // boundary, so no read leaves the page that holds the terminating NUL.
        private static int Length(IntPtr text)
        {
            long address = text.ToInt64();
            int length = 0;
            while (((address + length) & 7) != 0)
            {
                if (Marshal.ReadByte(text, length) == 0) return length;
                length++;
            }
            const long Ones = 0x0101010101010101L;
            const long Highs = unchecked((long)0x8080808080808080UL);
            while (true)
            {
                long word = Marshal.ReadInt64(text, length);
                if (((word - Ones) & ~word & Highs) != 0) break; // a zero byte in this word
                length += 8;
            }
            while (Marshal.ReadByte(text, length) != 0) length++;
            return length;
        }

        // Calls a getter of the (buf, cap, out_len) family until the buffer is big enough.
        internal delegate int BufferGetter(byte[] buf, UIntPtr cap, out UIntPtr outLen);

        internal static int CopyOut(BufferGetter getter, out string text)
        {
            text = null;
            UIntPtr needed;
            int code = getter(null, UIntPtr.Zero, out needed);
            while (code == ResultCodes.BufferTooSmall)
            {
                var buf = new byte[(int)needed.ToUInt32()];
                code = getter(buf, (UIntPtr)buf.Length, out needed);
                if (code == ResultCodes.Ok)
                {
                    text = Lenient.GetString(buf, 0, (int)needed.ToUInt32() - 1);
                }
            }
            return code;
        }
    }

    internal static class ResultCodes
    {
        internal const int Ok = 0;
        internal const int BufferTooSmall = 12;
    }
}
