// UTF-8 by hand both ways: Mono, .NET and IL2CPP disagree on the default string marshalling,
// so strings cross the boundary only as NUL-terminated byte arrays and borrowed pointers.
using System;
using System.Runtime.InteropServices;
using System.Text;

namespace GameGate.Native
{
    internal static class Utf8
    {
        private static readonly UTF8Encoding Strict = new UTF8Encoding(false, false);

        // null stays null, so the library reports GG_NULL_PARAM for a missing string.
        internal static byte[] Encode(string text)
        {
            if (text == null) return null;
            var bytes = new byte[Strict.GetByteCount(text) + 1];
            Strict.GetBytes(text, 0, text.Length, bytes, 0);
            return bytes;
        }

        // A borrowed C string, copied before the callback returns; NULL reads as "".
        internal static string Decode(IntPtr text)
        {
            if (text == IntPtr.Zero) return string.Empty;
            int length = 0;
            while (Marshal.ReadByte(text, length) != 0) length++;
            if (length == 0) return string.Empty;
            var bytes = new byte[length];
            Marshal.Copy(text, bytes, 0, length);
            return Strict.GetString(bytes);
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
                    text = Strict.GetString(buf, 0, (int)needed.ToUInt32() - 1);
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
