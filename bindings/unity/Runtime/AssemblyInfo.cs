using System.Runtime.CompilerServices;

// The NUnit suite (Tests~) checks the native struct layouts against C.
[assembly: InternalsVisibleTo("GameGate.Tests")]
