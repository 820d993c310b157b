// What the C# snippets in the docs use without declaring: a snippet marked
// `<!-- snippet: in-function -->` is compiled as the body of an async method of a subclass.
using System.Threading.Tasks;

namespace GameGate.DocSnippets
{
    public abstract class Prelude
    {
        protected string email = "player@example.com", codeTheyTyped = "12345";
        protected abstract Task Run();
    }
}
